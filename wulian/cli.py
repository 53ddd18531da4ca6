"""The `wulian` command: Wulian's own management commands first, any Django command after."""

from __future__ import annotations

import os
import sys

OWN_APPS = ("wulian.",)


def _help() -> None:
    from django.core.management import get_commands, load_command_class

    own: list[tuple[str, str]] = []
    for name, app in sorted(get_commands().items()):
        if app.startswith(OWN_APPS):
            command = load_command_class(app, name)
            own.append((name, (command.help or "").strip().splitlines()[0] if command.help else ""))
    width = max((len(name) for name, _ in own), default=10)
    print("usage: wulian COMMAND [options]\n")
    print("Wulian commands:")
    for name, text in own:
        print(f"  {name.ljust(width)}  {text}")
    print(
        "\nEvery other Django management command passes through, e.g. `wulian migrate`,"
        " `wulian runserver`, `wulian shell`.\n`wulian help COMMAND` shows a command's options;"
        " `wulian help --commands` lists them all."
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wulian.settings")
    import django
    from django.core.management import execute_from_command_line

    args = sys.argv[1:]
    if not args or args[0] in {"-h", "--help"}:
        django.setup()
        _help()
        return
    execute_from_command_line(["wulian", *args])


if __name__ == "__main__":
    main()
