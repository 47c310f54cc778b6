from django.urls import path

from outcomes import views, views_followup, views_reports

app_name = "outcomes"
urlpatterns = [
    path("calendar/", views.my_calendar, name="my_calendar"),
    path("mentees/<int:mentee_pk>/calendar/", views.use_calendar, name="calendar"),
    path(
        "mentees/<int:mentee_pk>/days/<str:day>/",
        views.use_day,
        name="day",
    ),
    path("mentees/<int:mentee_pk>/assessments/", views.assessments, name="assessments"),
    path(
        "mentees/<int:mentee_pk>/assessments/<str:instrument>/<int:week>/",
        views.assessment_fill,
        name="assessment_fill",
    ),
    path("programs/", views_reports.program_list, name="programs"),
    path("programs/<slug:slug>/import/", views_reports.use_day_import, name="import"),
    path(
        "programs/<slug:slug>/import/confirm/",
        views_reports.use_day_import_confirm,
        name="import_confirm",
    ),
    path(
        "programs/<slug:slug>/assessments/import/",
        views_reports.assessment_import,
        name="assessment_import",
    ),
    path(
        "programs/<slug:slug>/assessments/import/confirm/",
        views_reports.assessment_import_confirm,
        name="assessment_import_confirm",
    ),
    path(
        "programs/<slug:slug>/assessments/import/template.csv",
        views_reports.assessment_import_template,
        name="assessment_import_template",
    ),
    path("programs/<slug:slug>/report/", views_reports.cohort_report, name="report"),
    path("programs/<slug:slug>/settings/", views_reports.outcome_settings, name="settings"),
    path(
        "programs/<slug:slug>/identified-export/",
        views_reports.identified_export,
        name="identified_export",
    ),
    path(
        "programs/<slug:slug>/export-jobs/<str:kind>.<str:fmt>",
        views_reports.export_job_start,
        name="export_job_start",
    ),
    path(
        "programs/<slug:slug>/export-jobs/<int:job_pk>/",
        views_reports.export_job,
        name="export_job",
    ),
    path(
        "programs/<slug:slug>/export-jobs/<int:job_pk>/progress",
        views_reports.export_job_progress,
        name="export_job_progress",
    ),
    path(
        "programs/<slug:slug>/export-jobs/<int:job_pk>/download",
        views_reports.export_job_download,
        name="export_job_download",
    ),
    path(
        "programs/<slug:slug>/export/<str:kind>.<str:fmt>",
        views_reports.export,
        name="export",
    ),
]

# Follow-up interviews and locator data (coordinators only): outcomes.views_followup.
urlpatterns += [
    path("follow-up/", views_followup.followup_programs, name="followup_programs"),
    path("programs/<slug:slug>/follow-up/", views_followup.followup, name="followup"),
    path(
        "programs/<slug:slug>/follow-up/schedule/",
        views_followup.followup_schedule,
        name="followup_schedule",
    ),
    path("mentees/<int:mentee_pk>/interviews/", views_followup.interview_list, name="interviews"),
    path("mentees/<int:mentee_pk>/locator/", views_followup.locator, name="locator"),
]
