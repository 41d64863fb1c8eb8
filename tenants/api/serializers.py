from rest_framework import serializers

from tenants.models import Company


class ProvisionInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    slug = serializers.CharField(max_length=40)
    domain = serializers.CharField(max_length=253)
    plan = serializers.CharField(max_length=40)
    owner_email = serializers.EmailField()
    owner_password = serializers.CharField(write_only=True, min_length=8, max_length=128)


class ProvisionOutputSerializer(serializers.Serializer):
    company_id = serializers.IntegerField(source="company.id")
    schema_name = serializers.CharField(source="company.schema_name")
    domain = serializers.CharField(source="domain.domain")
    access = serializers.CharField()
    refresh = serializers.CharField()


class CompanyOutputSerializer(serializers.ModelSerializer):
    plan = serializers.SerializerMethodField()
    domains = serializers.SerializerMethodField()

    class Meta:
        model = Company
        fields = ["id", "name", "slug", "schema_name", "status", "created_at", "plan", "domains"]

    def get_plan(self, company) -> str | None:
        subscription = getattr(company, "subscription", None)
        return subscription.plan.code if subscription else None

    def get_domains(self, company) -> list[str]:
        return [d.domain for d in company.domains.all()]


class CompanyUpdateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
