from django.urls import path

from backtests import views

urlpatterns = [
    path("backtests/", views.backtest_list, name="backtest-list"),
    path("backtests/help/", views.backtest_help, name="backtest-help"),
    path("backtests/<int:pk>/", views.backtest_detail, name="backtest-detail"),
]
