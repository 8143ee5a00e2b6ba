"""The public portal: the A to Z, service pages, requests, tracking and residents' accounts."""

from django.urls import path

from civicdesk.portal.views import accounts as account_views
from civicdesk.portal.views import applications as apply_views
from civicdesk.portal.views import journey, public, representing, track
from civicdesk.surveys import views as survey_views

app_name = "portal"
urlpatterns: list = [
    # Each part of the portal adds its own lines here.
    # Public pages, requests and tracking.
    path("", public.home, name="home"),
    path("services/", public.a_to_z, name="a-z"),
    path("services/search/", public.search, name="search"),
    path("services.json", public.catalogue_json, name="catalogue-json"),
    path("services/<slug:slug>/", public.service_page, name="service"),
    path("services/<slug:slug>.json", public.service_json, name="service-json"),
    path("services/<slug:slug>/request/", journey.start_service, name="start"),
    path("report/", journey.choose, {"kind": "report"}, name="report"),
    path("ask/", journey.choose, {"kind": "ask"}, name="ask"),
    path("request/<str:journey_id>/sent/", journey.confirmation, name="confirmation"),
    path("request/<str:journey_id>/<str:name>/", journey.step, name="step"),
    path("track/", track.track, name="track"),
    # Residents' accounts and intermediaries.
    path("account/", account_views.account_home, name="account"),
    path("account/create/", account_views.create_account, name="account-create"),
    path("account/create/check-email/", account_views.check_email, name="account-check-email"),
    path("account/verify/resend/", account_views.resend_verification, name="account-verify-resend"),
    path("account/verify/<str:token>/", account_views.verify_email, name="account-verify"),
    path("account/sign-in/", account_views.sign_in, name="sign-in"),
    path("account/sign-out/", account_views.sign_out, name="sign-out"),
    path("account/password/", account_views.change_password, name="password-change"),
    path(
        "account/password-reset/", account_views.PasswordResetView.as_view(), name="password-reset"
    ),
    path(
        "account/password-reset/sent/",
        account_views.PasswordResetSentView.as_view(),
        name="password-reset-sent",
    ),
    path(
        "account/password-reset/done/",
        account_views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path(
        "account/password-reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("account/preferences/", account_views.preferences, name="account-preferences"),
    path("account/requests/<str:reference>/", account_views.account_case, name="account-case"),
    path("account/acting-for/", representing.choose, name="acting-for"),
    path("account/acting-for/stop/", representing.stop, name="acting-for-stop"),
    # Applying for things (e-forms), and applications in "Your account".
    path("apply/", apply_views.apply_list, name="apply"),
    path("apply/<slug:slug>/", apply_views.start, name="apply-start"),
    path("apply/<slug:slug>/<int:pk>/check/", apply_views.check, name="apply-check"),
    path("apply/<slug:slug>/<int:pk>/sent/", apply_views.sent, name="apply-sent"),
    path("apply/<slug:slug>/<int:pk>/paid/<str:secret>/", apply_views.paid, name="apply-paid"),
    path("apply/<slug:slug>/<int:pk>/<int:number>/", apply_views.page, name="apply-page"),
    path(
        "account/applications/<int:pk>/",
        apply_views.account_application,
        name="account-application",
    ),
    path(
        "account/applications/<int:pk>/more-information/",
        apply_views.more_information,
        name="account-application-information",
    ),
    path(
        "account/applications/<int:pk>/withdraw/",
        apply_views.withdraw,
        name="account-application-withdraw",
    ),
    # Satisfaction surveys, answered through the signed link without signing in.
    path("survey/<str:token>/", survey_views.survey, name="survey"),
    path("survey/<str:token>/thank-you/", survey_views.thanks, name="survey-thanks"),
]
