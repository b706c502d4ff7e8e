"""`/api/v1/doctors/{id}/`: availability, working hours, time off."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from config.representation import iso_datetime
from scheduling import hours, selectors, services
from scheduling.models import TimeOff, WorkingHours
from scheduling.permissions import ManagesDoctorSchedule
from scheduling.serializers import (
    AvailabilityQuerySerializer,
    AvailabilitySerializer,
    TimeOffSerializer,
    WorkingHoursSerializer,
)


class DoctorMixin:
    def get_doctor(self):
        return get_object_or_404(User.objects.active_doctors(), pk=self.kwargs["doctor_id"])


class AvailabilityView(DoctorMixin, APIView):
    """Free slots of one day in the clinic's time zone, none in the past; with a
    visit type its length and buffers, with a room only while it is free too; a
    patient sees only what they may book (notice, horizon, bookable types)."""

    # Cached per doctor-day, length, buffers (and room); who asks and the clock
    # are applied at read time.

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[AvailabilityQuerySerializer], responses=AvailabilitySerializer)
    def get(self, request, doctor_id):
        doctor = self.get_doctor()
        query = AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        day, duration = query.validated_data["date"], query.validated_data["duration"]
        visit_type, room = query.validated_data.get("type"), query.validated_data.get("room")
        services.check_type_bookable_by(request.user, visit_type)
        buffers = (
            (visit_type.buffer_before_minutes, visit_type.buffer_after_minutes) if visit_type else (0, 0)
        )
        slots = selectors.cached_day_slots(doctor, day, duration, buffers=buffers, room=room)
        # AvailabilitySerializer's shape, built directly (config.representation says why).
        free = [
            {"starts_at": iso_datetime(s), "ends_at": iso_datetime(e)}
            for s, e in selectors.bookable_slots(slots, request.user)
        ]
        return Response({"doctor": doctor.pk, "date": day.isoformat(), "slots": free})


class WorkingHoursView(DoctorMixin, APIView):
    permission_classes = [ManagesDoctorSchedule]

    @extend_schema(responses=WorkingHoursSerializer(many=True))
    def get(self, request, doctor_id):
        rows = WorkingHours.objects.filter(doctor=self.get_doctor()).order_by("weekday", "start")
        return Response(WorkingHoursSerializer(rows, many=True).data)

    @extend_schema(request=WorkingHoursSerializer(many=True), responses=WorkingHoursSerializer(many=True))
    def put(self, request, doctor_id):
        doctor = self.get_doctor()
        blocks = WorkingHoursSerializer(data=request.data, many=True)
        blocks.is_valid(raise_exception=True)
        rows = hours.set_working_hours(doctor=doctor, blocks=blocks.validated_data)
        return Response(WorkingHoursSerializer(rows, many=True).data)


class TimeOffListView(DoctorMixin, generics.ListCreateAPIView):
    permission_classes = [ManagesDoctorSchedule]
    serializer_class = TimeOffSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TimeOff.objects.none()
        return TimeOff.objects.filter(doctor=self.get_doctor()).order_by("starts_at", "id")

    def create(self, request, *args, **kwargs):
        doctor = self.get_doctor()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        time_off = hours.add_time_off(doctor=doctor, **serializer.validated_data)
        return Response(TimeOffSerializer(time_off).data, status=status.HTTP_201_CREATED)


class TimeOffDetailView(DoctorMixin, generics.DestroyAPIView):
    permission_classes = [ManagesDoctorSchedule]
    serializer_class = TimeOffSerializer
    lookup_url_kwarg = "time_off_id"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TimeOff.objects.none()
        return TimeOff.objects.filter(doctor=self.get_doctor())

    def perform_destroy(self, instance):
        hours.remove_time_off(time_off=instance)
