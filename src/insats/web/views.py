from __future__ import annotations

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from insats.accounts.access import actor_for, login_only, public

from .start import next_steps


@login_only
def home(request):
    actor = actor_for(request)
    return render(request, "web/home.html", {"steps": next_steps(actor), "nav_active": "home"})


@public
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
