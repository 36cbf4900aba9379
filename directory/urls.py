app_name = "directory"

urlpatterns: list = [
    # telesök views: /telesok/ (search), person and unit pages
]
