from django.http import HttpResponse, JsonResponse
from django.urls import path


def healthz(request):
    return HttpResponse("ok\n", content_type="text/plain")


def index(request):
    return JsonResponse({"site": "mysite"})


urlpatterns = [path("", index), path("healthz", healthz)]
