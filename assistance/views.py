"""Public pages of the love aid stations: what a station needs and has, how to bring goods,
and the forms to offer goods or ask for help.

Nothing here needs an account, and nothing here shows anybody's name or phone: the station's
figures are aggregates, and the success pages repeat nothing that was typed in.
"""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from assistance import services
from assistance import station_selectors as selectors
from assistance.station_forms import HONEYPOT, AidAskForm, GoodsOfferForm
from centers import ratelimit

#: Submissions of each public form, per client address.
SUBMIT_LIMIT = {"limit": 10, "window_seconds": 60 * 60}


def _add_errors(form, exc):
    """Show a service's ValidationError on the form, by field where it names one."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@login_not_required
@require_GET
def station_list(request):
    return render(
        request, "assistance/station_list.html", {"stations": selectors.public_stations()}
    )


@login_not_required
@require_GET
def station_detail(request, slug):
    page = selectors.public_station_page(slug)
    return render(
        request,
        "assistance/station_detail.html",
        {"page": page, "station": page.station, "center": page.center},
    )


def _public_form(request, slug, *, kind, form_class, submit, initial):
    """The offer and ask pages: honeypot, per-address limit, then one service call.

    A submission ends on `?sent=1`, a page that repeats nothing the visitor typed; a script
    that fills the honeypot lands there too, and nothing is saved.
    """
    station = selectors.public_station_or_404(slug)
    context = {"station": station, "center": station.center, "kind": kind}
    if request.method == "GET" and request.GET.get("sent") == "1":
        return render(request, f"assistance/{kind}_sent.html", context)
    key = f"aid-{kind}:{ratelimit.client_ip(request)}"
    sent = f"{reverse(f'assistance:{kind}', args=[slug])}?sent=1"
    if request.method == "POST":
        if request.POST.get(HONEYPOT):
            ratelimit.hit(key, **SUBMIT_LIMIT)
            return redirect(sent)
        if ratelimit.is_exceeded(key, **SUBMIT_LIMIT):
            return _too_many(request, context)
        form = form_class(request.POST)
        if form.is_valid():
            if not ratelimit.hit(key, **SUBMIT_LIMIT):
                return _too_many(request, context)
            try:
                submit(station=station, data=form.service_data())
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                return redirect(sent)
    else:
        form = form_class(initial=initial)
    return render(request, f"assistance/{kind}_form.html", {**context, "form": form})


def _too_many(request, context):
    response = render(request, "assistance/rate_limited.html", context, status=429)
    response["Retry-After"] = str(ratelimit.retry_after(SUBMIT_LIMIT["window_seconds"]))
    return response


def _own_contact(user, name_field, phone_field):
    """A signed-in resident's own name and phone, to save typing them again."""
    if not user.is_authenticated:
        return {}
    return {name_field: user.name, phone_field: user.phone}


@login_not_required
@require_http_methods(["GET", "POST"])
def offer(request, slug):
    return _public_form(
        request,
        slug,
        kind="offer",
        form_class=GoodsOfferForm,
        submit=services.goods_offer_submit,
        initial=_own_contact(request.user, "name", "phone"),
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def ask(request, slug):
    return _public_form(
        request,
        slug,
        kind="ask",
        form_class=AidAskForm,
        submit=services.aid_request_submit,
        initial=_own_contact(request.user, "requester_name", "requester_phone"),
    )
