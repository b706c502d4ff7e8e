import os

from django.db import models


class Sample(models.Model):
    id = models.BigAutoField(primary_key=True)
    name = models.CharField(max_length=20)
    size = models.IntegerField()
    if os.environ.get("UNSAFE_SAMPLE_UNMIGRATED"):
        colour = models.CharField(max_length=20, default="")

    class Meta:
        app_label = "unsafe_migration"

    def __str__(self):
        return self.name
