from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from .models import News, Process


class ProcessNewsFeed(Feed):
    """Atom feed of a process's news."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, slug: str) -> Process:
        process = get_object_or_404(Process, slug=slug)
        if not process.is_public:
            raise Http404
        return process

    def title(self, obj: Process) -> str:
        return f"{obj.title} — {obj.territory.name}"

    def link(self, obj: Process) -> str:
        return obj.get_absolute_url()

    def subtitle(self, obj: Process) -> str:
        return obj.summary

    def items(self, obj: Process) -> list[News]:
        return list(obj.news.select_related("author")[:30])

    def item_title(self, item: News) -> str:
        return item.title

    def item_description(self, item: News) -> str:
        return item.body

    def item_link(self, item: News) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: News) -> datetime:
        return item.published_at
