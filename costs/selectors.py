from .models import CostCentre


def cost_centres():
    return CostCentre.objects.select_related("unit", "budget_manager").order_by("code")
