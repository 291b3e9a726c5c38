from django.urls import path

from worklist import views

urlpatterns = [
    path("tasks/", views.task_list, name="task-list"),
]
