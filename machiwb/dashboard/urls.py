from django.urls import path

from machiwb.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("suggestions/", views.municipality_suggestions, name="suggestions"),
]
