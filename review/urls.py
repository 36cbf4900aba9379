from django.urls import path

from . import views

app_name = "review"
urlpatterns = [
    path("", views.index, name="index"),
    path("enhet/<int:pk>/", views.unit_review_detail, name="unit_review"),
    path("enhet/<int:pk>/signera/", views.unit_review_sign, name="unit_review_sign"),
    path("enhet/<int:pk>/pdf/", views.unit_review_pdf, name="unit_review_pdf"),
    path(
        "rad/<int:pk>/bekrafta-uppsagning/",
        views.cancellation_confirm,
        name="cancellation_confirm",
    ),
    path("<int:year>/framsteg/", views.progress, name="progress"),
    path("<int:year>/framsteg.csv", views.progress_csv, name="progress_csv"),
    path("<int:year>/framsteg.xlsx", views.progress_xlsx, name="progress_xlsx"),
]
