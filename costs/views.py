from django.http import Http404
from django.shortcuts import render

from .models import CostCentre
from .selectors import cost_centres


def cost_centre_list(request):
    """Every signed-in user sees which cost centres exist (codes, units, owners); the costs
    themselves arrive with the costs issue and are shown only to those who own them."""
    return render(request, "costs/costcentre_list.html", {"cost_centres": cost_centres()})


def cost_centre_detail(request, pk):
    try:
        cost_centre = cost_centres().get(pk=pk)
    except CostCentre.DoesNotExist:
        raise Http404 from None
    return render(request, "costs/costcentre_detail.html", {"cost_centre": cost_centre})
