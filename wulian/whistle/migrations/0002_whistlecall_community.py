# The community key of a table reached through a parent (places.models.InCommunity).

from django.db import migrations

from wulian.places.keys import key_by_community


class Migration(migrations.Migration):
    dependencies = [
        ('places', '0002_compound_short_name_and_aliases'),
        ('whistle', '0001_whistles_calls_deadlines'),
    ]

    operations = [*key_by_community("whistle", "whistlecall", "whistle")]
