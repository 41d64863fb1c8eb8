from rest_framework import serializers

from accounts.models import User
from accounts.roles import Role


class UserOutputSerializer(serializers.ModelSerializer):
    role = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "is_active", "date_joined", "last_login"]
        read_only_fields = fields


class UserCreateInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    full_name = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices)


class UserUpdateInputSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    is_active = serializers.BooleanField(required=False)


class TokenPairOutputSerializer(serializers.Serializer):
    access = serializers.CharField(help_text="JWT de acesso (Authorization: Bearer ...).")
    refresh = serializers.CharField(help_text="JWT de renovação; cada uso devolve um novo.")


class CompanyBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    schema_name = serializers.CharField()
    status = serializers.CharField()


class MeOutputSerializer(serializers.Serializer):
    user = UserOutputSerializer()
    role = serializers.CharField(allow_null=True)
    company = CompanyBriefSerializer(allow_null=True)
