"""Background work of processes, run by the task workers."""

from __future__ import annotations

from django_tasks import task

from . import services
from .models import News


@task()
def news_email_followers_task(news_id: int) -> int:
    """E-mail a news item to the followers of its process; returns how many were sent."""
    news = News.objects.select_related("process").get(pk=news_id)
    return services.news_email_followers(news=news)
