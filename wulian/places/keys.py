"""The migration steps that key a table reached through a parent by its community
(`places.models.InCommunity`): add the column, fill it from the parent in one UPDATE, then
make it required."""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def _field(null: bool) -> models.ForeignKey[Any, Any]:
    return models.ForeignKey(
        editable=False,
        null=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="places.region",
        verbose_name="community",
    )


def key_by_community(app_label: str, model_name: str, parent: str) -> list[Any]:
    def fill(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        above = model._meta.get_field(parent).related_model
        rows = above.objects.filter(pk=OuterRef(f"{parent}_id")).values("community_id")[:1]
        model.objects.update(community_id=Subquery(rows))

    return [
        migrations.AddField(model_name=model_name, name="community", field=_field(null=True)),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(model_name=model_name, name="community", field=_field(null=False)),
    ]
