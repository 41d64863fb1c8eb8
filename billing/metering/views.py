from django.http import JsonResponse


def usage(request):
    return JsonResponse({"detail": "Em construção."}, status=501)
