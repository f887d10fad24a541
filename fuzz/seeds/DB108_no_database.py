# path: app/services/django_like.py
"""No SQLAlchemy here (a Django-style ORM): DB108 stays quiet."""
from shop.models import Order


def orders(tenant_id):
    return Order.objects.filter(tenant_id=tenant_id).filter(Order.tenant_id == tenant_id)
