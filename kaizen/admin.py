from django.contrib import admin

from kaizen.models import ActionItem, Article, ArticleRevision, Retrospective


class ArticleRevisionInline(admin.TabularInline):
    model = ArticleRevision
    extra = 0
    fields = ["version", "title", "editor", "created_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "brand", "author", "version", "updated_at"]
    list_filter = ["brand"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    list_select_related = ["brand", "author"]
    inlines = [ArticleRevisionInline]


@admin.register(ArticleRevision)
class ArticleRevisionAdmin(admin.ModelAdmin):
    list_display = ["article", "version", "title", "editor", "created_at"]
    list_filter = ["brand"]
    search_fields = ["title", "body", "article__title"]
    list_select_related = ["article", "editor"]
    readonly_fields = ["article", "version", "title", "body", "tags", "brand", "editor",
                       "created_at"]


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    extra = 0
    fields = ["description", "owner", "due_date", "done_at"]
    autocomplete_fields = ["owner"]


@admin.register(Retrospective)
class RetrospectiveAdmin(admin.ModelAdmin):
    list_display = ["campaign", "opened_at", "updated_at", "updated_by"]
    list_filter = ["campaign__brand"]
    search_fields = ["campaign__name", "campaign__brand__name", "what_worked", "what_did_not"]
    list_select_related = ["campaign__brand", "updated_by"]
    raw_id_fields = ["campaign"]
    inlines = [ActionItemInline]


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["description", "owner", "due_date", "done_at", "retrospective"]
    list_filter = [("done_at", admin.EmptyFieldListFilter), "due_date", "retrospective__campaign__brand"]
    search_fields = ["description", "owner__username", "retrospective__campaign__name"]
    list_select_related = ["owner", "retrospective__campaign__brand"]
    raw_id_fields = ["retrospective"]
    autocomplete_fields = ["owner"]
