from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentorship import access
from notifications import services
from notifications.models import Notification


@login_required
@require_POST
def retry(request, pk):
    """A coordinator of the program sends a failed message of any kind again."""
    notification = access.get_for_user(
        request.user, Notification.objects.select_related("recipient"), change=True, pk=pk
    )
    if services.notification_retry(actor=request.user, notification=notification):
        messages.success(
            request,
            _("The e-mail to %(email)s will be sent again.")
            % {"email": notification.recipient.email},
        )
    else:
        messages.info(request, _("That e-mail is no longer waiting to be retried."))
    # Back to the page the button was on (the program's engagement page, which lists failures).
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "home"
    return redirect(back)
