from django.contrib import admin

from .models import Article, ArticleImage, Comment, Editor, NewsSettings, Tag


class ImageInline(admin.TabularInline[ArticleImage, Article]):
    model = ArticleImage
    extra = 0


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin[Article]):
    list_display = ["title", "network", "status", "publish_at", "language"]
    list_filter = ["network", "status", "language"]
    search_fields = ["title", "body"]
    inlines = [ImageInline]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin[Comment]):
    list_display = ["name", "article", "status", "created_at"]
    list_filter = ["status"]
    exclude = ["address_hash"]


admin.site.register(Tag)
admin.site.register(Editor)
admin.site.register(NewsSettings)
