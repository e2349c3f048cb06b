"""``{% load privacy %}{{ enterprise.contact_phone|mask_phone }}``"""

from django import template

from federation.core import privacy

register = template.Library()
register.filter("mask_phone", privacy.mask_phone)
register.filter("mask_name", privacy.mask_name)
register.filter("mask_email", privacy.mask_email)
