from django.urls import path

from civicdesk.console.views import (
    account,
    alerts,
    applications,
    auth,
    cases,
    contacts,
    customer_details,
    customers,
    dashboard,
    insight,
    knowledge,
    kpis,
    merge,
    messages,
    queues,
    raise_case,
    referrals,
    satisfaction,
    search,
    subject_access,
    workforce,
)
from civicdesk.payments.views import staff as payments_staff

app_name = "console"
urlpatterns = [
    path("", search.home, name="home"),
    path("sign-in/", auth.SignInView.as_view(), name="sign-in"),
    path("sign-in/code/", auth.sign_in_code, name="sign-in-code"),
    path("sign-in/set-up/", auth.sign_in_set_up, name="sign-in-set-up"),
    path("sign-out/", auth.SignOutView.as_view(), name="sign-out"),
    path("password/", auth.ChangePasswordView.as_view(), name="password-change"),
    path("password/changed/", auth.PasswordChangedView.as_view(), name="password-change-done"),
    path("account/", account.account, name="account"),
    path("account/recovery-codes/", account.new_recovery_codes, name="new-recovery-codes"),
    path("account/sign-out-elsewhere/", account.sign_out_elsewhere, name="sign-out-elsewhere"),
    # Before the single view, whose <reference> would otherwise take "new".
    path("customers/new/", customer_details.register_customer, name="register-customer"),
    path("customers/<str:reference>/", customers.customer_detail, name="customer"),
    path(
        "customers/<str:reference>/change/",
        customer_details.change_customer,
        name="change-customer",
    ),
    path("customers/<str:reference>/merge/", merge.merge_customer, name="merge-customer"),
    path(
        "customers/<str:reference>/subject-access/",
        subject_access.subject_access,
        name="customer-subject-access",
    ),
    path(
        "customers/<str:reference>/subject-access.json",
        subject_access.subject_access_download,
        name="customer-subject-access-download",
    ),
    path(
        "customers/<str:reference>/merge/<str:duplicate>/",
        merge.confirm_merge,
        name="merge-customer-confirm",
    ),
    path(
        "customers/<str:reference>/contacts/new/",
        contacts.choose_service,
        name="log-contact",
    ),
    path(
        "customers/<str:reference>/contacts/new/general/",
        contacts.contact_form,
        name="log-contact-general",
    ),
    path(
        "customers/<str:reference>/contacts/new/<int:service_pk>/",
        contacts.contact_form,
        name="log-contact-details",
    ),
    path("contacts/new/", contacts.choose_service, name="log-anonymous-contact"),
    path("contacts/new/general/", contacts.contact_form, name="log-anonymous-contact-general"),
    path(
        "contacts/new/<int:service_pk>/",
        contacts.contact_form,
        name="log-anonymous-contact-details",
    ),
    path("knowledge/", knowledge.knowledge, name="knowledge"),
    # Raising, chasing and referring cases. "cases/new/" comes before the case page, whose
    # <reference> would otherwise take "new".
    path(
        "customers/<str:reference>/cases/new/",
        raise_case.choose_service,
        name="raise-case-for-customer",
    ),
    path(
        "customers/<str:reference>/cases/new/<int:service_pk>/",
        raise_case.raise_case_form,
        name="raise-case-for-customer-details",
    ),
    path("cases/new/", raise_case.choose_service, name="raise-case"),
    path("cases/new/<int:service_pk>/", raise_case.raise_case_form, name="raise-case-details"),
    path("cases/<str:reference>/chase/", raise_case.chase, name="chase-case"),
    path("cases/<str:reference>/refer/", referrals.refer, name="refer-case"),
    path("referrals/", referrals.referral_list, name="referrals"),
    path("referrals/<int:pk>/", referrals.referral_detail, name="referral"),
    path("referrals/<int:pk>/acknowledge/", referrals.acknowledge, name="acknowledge-referral"),
    *(
        path(
            f"referrals/<int:pk>/{action}/",
            referrals.answer,
            {"action": action},
            name=f"{action}-referral",
        )
        for action in referrals.ANSWERS
    ),
    path(
        "referrals/<int:pk>/attachments/<int:attachment_pk>/",
        referrals.attachment,
        name="referral-attachment",
    ),
    path("messages/<int:pk>/", messages.message_detail, name="message"),
    path("payments/report/", payments_staff.report, name="payments-report"),
    path(
        "payments/report.csv",
        payments_staff.report,
        {"as_csv": True},
        name="payments-report-csv",
    ),
    path("payments/<str:reference>/", payments_staff.payment_detail, name="payment"),
    path("payments/<str:reference>/refund/", payments_staff.refund, name="payment-refund"),
    # The back office: queues, the case page and one small page per action on a case.
    path("insight/", dashboard.dashboard, name="insight-dashboard"),
    path("insight/e-enablement/", insight.e_enablement_report, name="e-enablement"),
    path("insight/satisfaction/", satisfaction.satisfaction, name="satisfaction"),
    path("insight/workforce/", workforce.workforce_plan, name="workforce"),
    path("insight/indicators/", kpis.indicators, name="indicators"),
    path("insight/alerts/", alerts.alert_list, name="demand-alerts"),
    path("insight/alerts/<int:pk>/", alerts.alert_detail, name="demand-alert"),
    path(
        "insight/alerts/<int:pk>/acknowledge/",
        alerts.acknowledge,
        name="demand-alert-acknowledge",
    ),
    path("queues/", queues.queue_list, name="queues"),
    path("queues/<slug:slug>/", queues.queue, name="queue"),
    path("cases/<str:reference>/", cases.case_detail, name="case"),
    *(  # case-status, case-assign, case-take, case-note, case-close and the others
        path(
            f"cases/<str:reference>/{action}/",
            cases.case_action,
            {"action": action},
            name=f"case-{action}",
        )
        for action in cases.ACTIONS
    ),
    path(
        "cases/<str:reference>/attachments/<int:pk>/",
        cases.attachment_download,
        name="case-attachment-download",
    ),
    *(  # case-application-approve, case-application-refuse, case-application-information
        path(
            f"cases/<str:reference>/application/{decision}/",
            applications.decide,
            {"decision": decision},
            name=f"case-application-{decision}",
        )
        for decision in applications.DECISIONS
    ),
]
