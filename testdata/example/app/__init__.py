"""Parcelwise: parcel tracking for small and mid-size shippers."""
