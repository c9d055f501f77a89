from django.db import models


class PageVersion(models.Model):
    """A counter per topic of the public pages ("figures", "news", …): a public page cached under
    the counters it was rendered with is never served once one of them has moved."""

    topic = models.CharField(max_length=40, primary_key=True)
    counter = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.topic}: {self.counter}"
