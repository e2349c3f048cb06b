import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "federation.settings")
django_application = get_wsgi_application()

# A fresh cached public page is sent before Django's handler (federation/web/fastpath.py).
from federation.web.fastpath import CachedPageApplication  # noqa: E402

application = CachedPageApplication(django_application)
