# The community key of a table reached through a parent (places.models.InCommunity).

from django.db import migrations

from wulian.places.keys import key_by_community


class Migration(migrations.Migration):
    dependencies = [
        ('council', '0002_topic_photos'),
        ('places', '0002_compound_short_name_and_aliases'),
    ]

    operations = [*key_by_community("council", "meeting", "council")]
