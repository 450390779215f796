from django.urls import path

from machiwb.surveys import views_answer

app_name = "surveys"

urlpatterns = [
    path("s/<uuid:public_id>/", views_answer.survey_start, name="start"),
    path("s/<uuid:public_id>/answer/", views_answer.survey_answer, name="answer"),
    path("s/<uuid:public_id>/thanks/", views_answer.survey_thanks, name="thanks"),
]
