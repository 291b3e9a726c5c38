from django.urls import path

from accounts import login_views, views

urlpatterns = [
    path("login/", login_views.LoginWithCode.as_view(), name="login"),
    path("login/code/", login_views.login_code, name="login-code"),
    path("logout/", views.LogoutClearingSite.as_view(), name="logout"),
    path("account/password/", login_views.PasswordChange.as_view(), name="password-change"),
    path("account/two-factor/", login_views.two_factor, name="two-factor"),
    path("account/tokens/", views.api_tokens, name="api-token-list"),
]
