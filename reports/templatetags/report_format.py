from django import template

from reports import presenting

register = template.Library()


@register.filter
def duration(seconds):
    return presenting.duration(seconds)


@register.filter
def percent(value):
    return presenting.percent(value)
