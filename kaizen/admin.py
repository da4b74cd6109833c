from django.contrib import admin

from kaizen.models import Article


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "brand", "author", "updated_at"]
    list_filter = ["brand"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    list_select_related = ["brand", "author"]
