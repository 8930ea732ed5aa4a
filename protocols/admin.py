from django.contrib import admin

from protocols.models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "priority", "colour", "requires_reply"]
