"""Staff sign-in: a password, then a second factor, before any admin page.

django-otp keeps the devices (TOTP for an authenticator app, static backup codes), throttles
wrong codes and marks a session verified; django-axes locks out repeated wrong passwords;
Django's own views reset a forgotten password by email. See ``site.StaffAdminSite``.
"""
