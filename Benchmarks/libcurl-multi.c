/* libcurl's multi interface against the local OpenAI-compatible server, for the comparison in
 * docs/ARCHITECTURE.md ("HTTP client"): N POSTs, J in flight, driven by curl_multi_poll; prints the
 * client's CPU per request (getrusage) and the p95 latency. Build and run with
 * Benchmarks/libcurl-multi.sh. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static size_t sink(char *p, size_t s, size_t n, void *u) { (void)p; (void)u; return s * n; }
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static int cmp(const void *a, const void *b) { double x = *(double *)a, y = *(double *)b; return x < y ? -1 : x > y; }

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s URL N JOBS\n", argv[0]); return 2; }
    const char *url = argv[1]; int n = atoi(argv[2]), jobs = atoi(argv[3]);
    const char *body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)jobs);
    struct curl_slist *headers = NULL;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Authorization: Bearer bench-secret-key");
    double *started = calloc(n, sizeof(double)), *lat = calloc(n, sizeof(double));
    CURL **easy = calloc(jobs, sizeof(CURL *));
    int next = 0, done = 0, running = 0;
    struct rusage r0, r1; getrusage(RUSAGE_SELF, &r0);
    for (int j = 0; j < jobs; j++) {
        easy[j] = curl_easy_init();
        curl_easy_setopt(easy[j], CURLOPT_URL, url);
        curl_easy_setopt(easy[j], CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(easy[j], CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(easy[j], CURLOPT_WRITEFUNCTION, sink);
    }
    for (int j = 0; j < jobs && next < n; j++) {
        curl_easy_setopt(easy[j], CURLOPT_PRIVATE, (char *)(long)next);
        started[next++] = now();
        curl_multi_add_handle(multi, easy[j]);
    }
    while (done < n) {
        curl_multi_perform(multi, &running);
        CURLMsg *m; int left;
        while ((m = curl_multi_info_read(multi, &left))) {
            if (m->msg != CURLMSG_DONE) continue;
            CURL *e = m->easy_handle; char *p; curl_easy_getinfo(e, CURLINFO_PRIVATE, &p);
            long i = (long)p; lat[i] = now() - started[i]; done++;
            if (m->data.result != CURLE_OK) fprintf(stderr, "request %ld: %s\n", i, curl_easy_strerror(m->data.result));
            curl_multi_remove_handle(multi, e);
            if (next < n) {
                curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)(long)next);
                started[next++] = now();
                curl_multi_add_handle(multi, e);
            }
        }
        if (done < n) curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    getrusage(RUSAGE_SELF, &r1);
    double cpu = (r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) + (r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) / 1e6
               + (r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) + (r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) / 1e6;
    qsort(lat, n, sizeof(double), cmp);
    printf("libcurl %s multi: %d requests, %d in flight: %.0f us CPU per request, p95 %.1f ms\n",
           curl_version_info(CURLVERSION_NOW)->version, n, jobs, cpu / n * 1e6, lat[(int)(n * 0.95)] * 1e3);
    return 0;
}
