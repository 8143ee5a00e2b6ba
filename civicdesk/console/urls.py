from django.urls import path

from civicdesk.console.views import (
    auth,
    contacts,
    customer_details,
    customers,
    knowledge,
    merge,
    search,
)

app_name = "console"
urlpatterns = [
    path("", search.home, name="home"),
    path("sign-in/", auth.SignInView.as_view(), name="sign-in"),
    path("sign-out/", auth.SignOutView.as_view(), name="sign-out"),
    path("password/", auth.ChangePasswordView.as_view(), name="password-change"),
    path("password/changed/", auth.PasswordChangedView.as_view(), name="password-change-done"),
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
]
