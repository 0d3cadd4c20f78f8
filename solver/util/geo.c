/* Distances: Euclidean for planar km, great-circle (haversine) for lat/lon. */
#include "tqo.h"

#include <math.h>

double tqo_distance(tqo_coords c, double x1, double y1, double x2, double y2)
{
    if (c == TQO_COORDS_LATLON) {
        const double rad = 3.14159265358979323846 / 180.0;
        double dlat = (y2 - y1) * rad, dlon = (x2 - x1) * rad;
        double a = sin(dlat / 2) * sin(dlat / 2) +
                   cos(y1 * rad) * cos(y2 * rad) * sin(dlon / 2) * sin(dlon / 2);
        if (a > 1.0)
            a = 1.0;
        return 2.0 * TQO_EARTH_RADIUS_KM * asin(sqrt(a));
    }
    return hypot(x2 - x1, y2 - y1);
}
