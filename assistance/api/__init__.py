"""Cases, measures, partners and offers through the REST door.

Each view validates a serializer and calls the service the pages call; reads come from the
selectors, so what a user may see is decided once.
"""

from assistance.api.cases import CaseViewSet
from assistance.api.delegations import CaseCommentListApi, DelegationViewSet
from assistance.api.measures import MeasureViewSet
from assistance.api.needs import NeedViewSet
from assistance.api.partners import PartnerOfferViewSet, PartnerViewSet

__all__ = [
    "CaseCommentListApi",
    "CaseViewSet",
    "DelegationViewSet",
    "MeasureViewSet",
    "NeedViewSet",
    "PartnerOfferViewSet",
    "PartnerViewSet",
]
