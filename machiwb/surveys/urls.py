from django.urls import path

from machiwb.surveys import views_answer, views_identity, views_national, views_staff

app_name = "surveys"

staff = "surveys/<str:code>/"
survey = staff + "<uuid:public_id>/"
national = "surveys/national/"
national_survey = national + "<uuid:public_id>/"

urlpatterns = [
    path("s/<uuid:public_id>/", views_answer.survey_start, name="start"),
    path("s/<uuid:public_id>/answer/", views_answer.survey_answer, name="answer"),
    path("s/<uuid:public_id>/thanks/", views_answer.survey_thanks, name="thanks"),
    path("s/<uuid:public_id>/verify/", views_identity.identity_begin, name="identity_begin"),
    # one callback for every survey: the URL registered with the identity provider
    path("s/verify/callback/", views_identity.identity_callback, name="identity_callback"),
    # before the municipality pages: "national" is not a 団体コード
    path(national, views_national.national_list, name="national_list"),
    path(national + "new/", views_national.national_new, name="national_new"),
    path(national_survey, views_national.national_detail, name="national_detail"),
    path(national_survey + "edit/", views_national.national_edit, name="national_edit"),
    path(national_survey + "counts/", views_national.national_counts, name="national_counts"),
    path(
        national_survey + "status/", views_national.national_transition, name="national_transition"
    ),
    path(national_survey + "preview/", views_national.national_preview, name="national_preview"),
    path(
        national_survey + "preview/frame/",
        views_national.national_preview_frame,
        name="national_preview_frame",
    ),
    path(staff, views_staff.survey_list, name="list"),
    path(staff + "new/", views_staff.survey_new, name="new"),
    path(survey, views_staff.survey_detail, name="detail"),
    path(survey + "edit/", views_staff.survey_edit, name="edit"),
    path(survey + "count/", views_staff.survey_count, name="count"),
    path(survey + "status/", views_staff.survey_transition, name="transition"),
    path(survey + "questions/new/", views_staff.question_edit, name="question_new"),
    path(survey + "questions/<str:question_id>/", views_staff.question_edit, name="question_edit"),
    path(
        survey + "questions/<str:question_id>/change/",
        views_staff.question_change,
        name="question_change",
    ),
    path(survey + "codes/", views_staff.invitation_codes, name="codes"),
    path(
        survey + "letters/<uuid:job_id>/",
        views_staff.invitation_letters_download,
        name="letters_download",
    ),
    path(survey + "export/", views_staff.survey_export, name="export"),
    path(
        survey + "export/<uuid:job_id>/",
        views_staff.survey_export_download,
        name="export_download",
    ),
    path(survey + "upload/", views_staff.survey_upload, name="upload"),
    path(
        survey + "upload/<uuid:upload_id>/",
        views_staff.survey_upload_detail,
        name="upload_detail",
    ),
    path(survey + "preview/", views_staff.survey_preview, name="preview"),
    path(survey + "preview/frame/", views_staff.survey_preview_frame, name="preview_frame"),
]
