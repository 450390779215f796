from django.urls import path

from machiwb.guide import views

app_name = "guide"

urlpatterns = [
    path("indicators/", views.indicators, name="indicators"),
    path("indicators/categories/<str:code>/", views.category, name="category"),
    path("indicators/reading/", views.reading_scores, name="reading_scores"),
    path("using/", views.using, name="using"),
    path("using/steps/<int:number>/", views.step, name="step"),
    path("using/workshop/", views.workshop, name="workshop"),
    path("using/workbook/", views.workbook, name="workbook"),
    path(
        "using/workbook/<str:code>/<str:survey_type>/<int:fiscal_year>.xlsx",
        views.workbook_download,
        name="workbook_download",
    ),
    path("survey/", views.individual_survey, name="individual_survey"),
    path("survey/entry-template.xlsx", views.entry_template, name="entry_template"),
    path("survey/questionnaire.pdf", views.questionnaire_pdf, name="questionnaire_pdf"),
    path("faq/", views.faq, name="faq"),
]
