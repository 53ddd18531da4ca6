# The community key of a table reached through a parent (places.models.InCommunity).

from django.db import migrations

from wulian.places.keys import key_by_community


class Migration(migrations.Migration):
    dependencies = [
        ('events', '0001_release_events'),
        ('places', '0002_compound_short_name_and_aliases'),
    ]

    operations = [*key_by_community("events", "eventneed", "need")]
