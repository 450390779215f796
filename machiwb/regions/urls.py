from django.urls import path

from machiwb.regions import views

app_name = "regions"

urlpatterns = [
    path("", views.index, name="index"),
    path("pref/<str:code>/", views.prefecture_detail, name="prefecture"),
    path("<str:code>/", views.municipality_detail, name="municipality"),
]
