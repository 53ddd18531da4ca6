def build_training(community: object, actor: object) -> int:
    return 0
