"""RQ jobs of the waitlist: each takes an offer's id and calls the service,
which decides from the row whether anything is left to do."""

from scheduling.waitlist import offers


def send_offer(offer_id: int) -> str:
    return offers.deliver_offer(offer_id)


def expire_offer(offer_id: int) -> bool:
    return offers.expire_offer(offer_id)
