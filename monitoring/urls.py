from django.urls import path, re_path

from monitoring import area_views, offline, queue_views, signal_views, views

urlpatterns = [
    path("visits/", views.visit_lists, name="visit-lists"),
    path("visits/new/", views.visit_create, name="visit-create"),
    path("visits/households/", views.visit_household_search, name="visit-household-search"),
    path(
        "visits/households.json",
        offline.visit_household_picklist,
        name="visit-household-picklist",
    ),
    path("sw.js", offline.service_worker, name="service-worker"),
    path("manifest.webmanifest", offline.manifest, name="web-manifest"),
    path("visits/<int:pk>/", views.visit_detail, name="visit-detail"),
    path("households/<int:pk>/self-report/", views.self_report, name="self-report"),
    path("alerts/", queue_views.alert_queue, name="alert-queue"),
    path("alerts/bulk/", queue_views.alert_bulk, name="alert-bulk"),
    path("alerts/filters/", queue_views.alert_filter_save, name="alert-filter-save"),
    path(
        "alerts/filters/<int:pk>/delete/",
        queue_views.alert_filter_delete,
        name="alert-filter-delete",
    ),
    path("alerts/<int:pk>/", views.alert_detail, name="alert-detail"),
    re_path(
        r"^alerts/(?P<pk>\d+)/(?P<action>assign|verify|confirm|dismiss)/$",
        views.alert_action,
        name="alert-action",
    ),
    path("signals/", signal_views.signal_list, name="signal-list"),
    path("signals/<int:pk>/", signal_views.signal_review, name="signal-review"),
    path("signals/<int:pk>/resolve/", signal_views.signal_resolve, name="signal-resolve"),
    path("area-events/", area_views.area_event_list, name="area-event-list"),
    path("area-events/new/", area_views.area_event_create, name="area-event-create"),
    path("area-events/<int:pk>/", area_views.area_event_detail, name="area-event-detail"),
    path("area-events/<int:pk>/close/", area_views.area_event_close, name="area-event-close"),
    path(
        "area-events/tasks/<int:pk>/screen/",
        area_views.screening_record,
        name="screening-record",
    ),
    path("scans/", views.scan_list, name="scan-list"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("webhooks/", views.webhook_list, name="webhook-list"),
    path("webhooks/deliveries/", views.webhook_delivery_list, name="webhook-delivery-list"),
]
