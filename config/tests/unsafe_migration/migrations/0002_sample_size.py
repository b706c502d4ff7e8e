from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("unsafe_migration", "0001_initial")]
    operations = [migrations.AddField(model_name="sample", name="size", field=models.IntegerField())]
