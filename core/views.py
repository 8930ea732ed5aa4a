"""Pages of core: the signed-in user's alerts."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core import roles
from core.alerts import alerts_mark_read, late_now
from core.models import Alert
from core.pages import role_required


@role_required(roles.can_view_inbox)
def alert_list(request):
    alerts = Alert.objects.filter(recipient=request.user).select_related("conversation__contact")[:100]
    return render(request, "alerts/list.html", {"alerts": alerts, "late": late_now(user=request.user)})


@require_POST
@role_required(roles.can_view_inbox)
def alerts_read(request):
    alerts_mark_read(user=request.user)
    if request.htmx:
        return HttpResponse("")
    return redirect("alerts:list")
