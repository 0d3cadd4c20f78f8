/*
 * A stereographic plane for lat/lon points: the Delaunay graph (delaunay.c)
 * and the generated Voronoi cells (gis_voronoi.c) are computed in the same
 * plane, so that the rook adjacency of generated boundaries is the Delaunay
 * graph of the units.
 */
#ifndef TQO_INSTANCE_SPHERE_PLANE_H
#define TQO_INSTANCE_SPHERE_PLANE_H

typedef struct tqoi_plane {
    double c[3];  /* the points' mean direction: the plane's centre */
    double e1[3]; /* a basis of the tangent plane at c */
    double e2[3];
} tqoi_plane;

/* Unit vectors (3 per point) of lon/lat degrees; one point written two ways
   (longitude -180 and 180, any longitude at a pole) gets one vector. */
void tqoi_unit_vectors(int n, const double *lon, const double *lat, double *p3);

/* Fits the plane to the unit vectors p3 of n points: returns 1 when they
   lie beyond a hemisphere of their mean direction (no plane), else 0. */
int tqoi_plane_fit(int n, const double *p3, tqoi_plane *pl);

/* Stereographic image in km (scaled like the sphere at the centre) of unit
   vector q, projected from the point opposite c; and the way back, in
   lon/lat degrees. */
void tqoi_plane_forward(const tqoi_plane *pl, const double *q, double *x, double *y);
void tqoi_plane_inverse(const tqoi_plane *pl, double x, double y, double *lon, double *lat);

#endif
