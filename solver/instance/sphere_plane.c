/*
 * Stereographic projection of lat/lon points onto the tangent plane at
 * their mean direction. It maps circles on the sphere to circles in the
 * plane, so planar Delaunay and Voronoi there are the spherical ones.
 */
#include "instance/sphere_plane.h"
#include "tqo.h"

#include <math.h>

#define PI_ 3.14159265358979323846

void tqoi_unit_vectors(int n, const double *lon, const double *lat, double *p3)
{
    for (int i = 0; i < n; i++) {
        double lo = fmod(lon[i], 360.0), la = lat[i];
        if (lo >= 180.0)
            lo -= 360.0;
        else if (lo < -180.0)
            lo += 360.0;
        if (fabs(la) >= 90.0)
            lo = 0;
        double phi = la * PI_ / 180.0, lam = lo * PI_ / 180.0;
        p3[3 * i] = cos(phi) * cos(lam);
        p3[3 * i + 1] = cos(phi) * sin(lam);
        p3[3 * i + 2] = sin(phi);
    }
}

int tqoi_plane_fit(int n, const double *p3, tqoi_plane *pl)
{
    double *c = pl->c, *e1 = pl->e1, *e2 = pl->e2;
    c[0] = c[1] = c[2] = 0;
    for (int i = 0; i < n; i++)
        for (int d = 0; d < 3; d++)
            c[d] += p3[3 * i + d];
    double len = sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]);
    if (!(len > 1e-9 * n))
        return 1;
    for (int d = 0; d < 3; d++)
        c[d] /= len;
    for (int i = 0; i < n; i++)
        if (p3[3 * i] * c[0] + p3[3 * i + 1] * c[1] + p3[3 * i + 2] * c[2] < 1e-6)
            return 1;
    double r[3] = {0, 0, 1};
    if (fabs(c[2]) > 0.9)
        r[0] = 1, r[2] = 0;
    e1[0] = r[1] * c[2] - r[2] * c[1];
    e1[1] = r[2] * c[0] - r[0] * c[2];
    e1[2] = r[0] * c[1] - r[1] * c[0];
    double l1 = sqrt(e1[0] * e1[0] + e1[1] * e1[1] + e1[2] * e1[2]);
    for (int d = 0; d < 3; d++)
        e1[d] /= l1;
    e2[0] = c[1] * e1[2] - c[2] * e1[1];
    e2[1] = c[2] * e1[0] - c[0] * e1[2];
    e2[2] = c[0] * e1[1] - c[1] * e1[0];
    return 0;
}

void tqoi_plane_forward(const tqoi_plane *pl, const double *q, double *x, double *y)
{
    const double *c = pl->c, *e1 = pl->e1, *e2 = pl->e2;
    double k = 2.0 * TQO_EARTH_RADIUS_KM / (1.0 + q[0] * c[0] + q[1] * c[1] + q[2] * c[2]);
    *x = k * (q[0] * e1[0] + q[1] * e1[1] + q[2] * e1[2]);
    *y = k * (q[0] * e2[0] + q[1] * e2[1] + q[2] * e2[2]);
}

void tqoi_plane_inverse(const tqoi_plane *pl, double x, double y, double *lon, double *lat)
{
    double u = x / (2.0 * TQO_EARTH_RADIUS_KM), v = y / (2.0 * TQO_EARTH_RADIUS_KM), s = u * u + v * v;
    double q[3];
    for (int d = 0; d < 3; d++)
        q[d] = (2.0 * u * pl->e1[d] + 2.0 * v * pl->e2[d] + (1.0 - s) * pl->c[d]) / (1.0 + s);
    double z = q[2] > 1 ? 1 : q[2] < -1 ? -1 : q[2];
    *lat = asin(z) * 180.0 / PI_;
    *lon = atan2(q[1], q[0]) * 180.0 / PI_;
}
