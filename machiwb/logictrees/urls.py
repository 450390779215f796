from django.urls import path

from machiwb.logictrees import views

app_name = "logictrees"

urlpatterns = [
    path("", views.index, name="index"),
    path("kpi-candidates/", views.kpi_candidates, name="kpi_candidates"),
    path("shared/<uuid:token>/", views.shared_tree, name="shared"),
    path("shared/<uuid:token>/tree.<str:image_format>", views.shared_image, name="shared_image"),
    path("<str:code>/", views.tree_list, name="list"),
    path("<str:code>/reference/<str:reference>.png", views.reference_image, name="reference"),
    path("<str:code>/<uuid:tree_id>/", views.tree_detail, name="tree"),
    path("<str:code>/<uuid:tree_id>/compare/", views.tree_compare, name="compare"),
    path("<str:code>/<uuid:tree_id>/tree.<str:image_format>", views.tree_export, name="export"),
    path("<str:code>/<uuid:tree_id>/nodes/<str:node_id>/", views.node_detail, name="node"),
]
