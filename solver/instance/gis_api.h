/*
 * GDAL/OGR and GEOS, loaded on first use (dlopen) instead of at start: the
 * dynamic loader spent ~0.13 s resolving GDAL's ~120 libraries in every
 * tqo process, also in those that read no GIS file (issue 13's sweep).
 * Every GDAL and GEOS function the library calls is listed here; after
 * this header, a call such as GEOS_init_r() goes through the table, which
 * the first call fills. libtqo does not link GDAL or GEOS, so a function
 * missing from the lists fails the link: add it to its list. Internal to
 * the library; included through instance/gis.h.
 */
#ifndef TQO_GIS_API_H
#define TQO_GIS_API_H

#include <cpl_error.h>
#include <gdal.h>
#include <geos_c.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "tqo.h"

#define TQOI_GDAL_FUNCTIONS(X) \
    X(GDALAllRegister) \
    X(GDALClose) \
    X(GDALCreate) \
    X(GDALDatasetCommitTransaction) \
    X(GDALDatasetCreateLayer) \
    X(GDALDatasetGetLayer) \
    X(GDALDatasetGetLayerByName) \
    X(GDALDatasetStartTransaction) \
    X(GDALGetDriverByName) \
    X(GDALOpenEx) \
    X(OCTDestroyCoordinateTransformation) \
    X(OCTNewCoordinateTransformation) \
    X(OGRGeometryTypeToName) \
    X(OGR_FD_GetFieldCount) \
    X(OGR_FD_GetFieldDefn) \
    X(OGR_FD_GetFieldIndex) \
    X(OGR_F_Create) \
    X(OGR_F_Destroy) \
    X(OGR_F_GetFieldAsString) \
    X(OGR_F_GetGeometryRef) \
    X(OGR_F_IsFieldSetAndNotNull) \
    X(OGR_F_SetFieldDouble) \
    X(OGR_F_SetFieldString) \
    X(OGR_F_SetGeometryDirectly) \
    X(OGR_Fld_Create) \
    X(OGR_Fld_Destroy) \
    X(OGR_Fld_GetNameRef) \
    X(OGR_Fld_GetType) \
    X(OGR_GT_Flatten) \
    X(OGR_G_Clone) \
    X(OGR_G_CreateFromWkb) \
    X(OGR_G_DestroyGeometry) \
    X(OGR_G_ExportToWkb) \
    X(OGR_G_FlattenTo2D) \
    X(OGR_G_ForceToMultiPolygon) \
    X(OGR_G_GetGeometryType) \
    X(OGR_G_IsEmpty) \
    X(OGR_G_Transform) \
    X(OGR_G_WkbSize) \
    X(OGR_L_CreateFeature) \
    X(OGR_L_CreateField) \
    X(OGR_L_GetLayerDefn) \
    X(OGR_L_GetNextFeature) \
    X(OGR_L_GetSpatialRef) \
    X(OGR_L_ResetReading) \
    X(OSRClone) \
    X(OSRDestroySpatialReference) \
    X(OSRImportFromEPSG) \
    X(OSRIsSame) \
    X(OSRNewSpatialReference) \
    X(OSRSetAxisMappingStrategy) \
    X(OSRSetFromUserInput)

#define TQOI_GEOS_FUNCTIONS(X) \
    X(GEOSArea_r) \
    X(GEOSBuffer_r) \
    X(GEOSContext_setErrorMessageHandler_r) \
    X(GEOSContext_setNoticeMessageHandler_r) \
    X(GEOSConvexHull_r) \
    X(GEOSCoordSeq_getSize_r) \
    X(GEOSCoordSeq_getXY_r) \
    X(GEOSCoordSeq_setXY_r) \
    X(GEOSCoverageUnion_r) \
    X(GEOSDistance_r) \
    X(GEOSFree_r) \
    X(GEOSGeoJSONWriter_create_r) \
    X(GEOSGeoJSONWriter_destroy_r) \
    X(GEOSGeoJSONWriter_writeGeometry_r) \
    X(GEOSGeomGetX_r) \
    X(GEOSGeomGetY_r) \
    X(GEOSGeomTypeId_r) \
    X(GEOSGeom_clone_r) \
    X(GEOSGeom_createCollection_r) \
    X(GEOSGeom_createPointFromXY_r) \
    X(GEOSGeom_createRectangle_r) \
    X(GEOSGeom_destroy_r) \
    X(GEOSGeom_getCoordSeq_r) \
    X(GEOSGeom_getXMax_r) \
    X(GEOSGeom_getXMin_r) \
    X(GEOSGeom_getYMax_r) \
    X(GEOSGeom_getYMin_r) \
    X(GEOSGetExteriorRing_r) \
    X(GEOSGetGeometryN_r) \
    X(GEOSGetInteriorRingN_r) \
    X(GEOSGetNumGeometries_r) \
    X(GEOSGetNumInteriorRings_r) \
    X(GEOSIntersection_r) \
    X(GEOSIntersects_r) \
    X(GEOSMakeValid_r) \
    X(GEOSPointOnSurface_r) \
    X(GEOSRelate_r) \
    X(GEOSSTRtree_create_r) \
    X(GEOSSTRtree_destroy_r) \
    X(GEOSSTRtree_insert_r) \
    X(GEOSSTRtree_query_r) \
    X(GEOSSnap_r) \
    X(GEOSUnaryUnion_r) \
    X(GEOSVoronoiDiagram_r) \
    X(GEOSWKBReader_create_r) \
    X(GEOSWKBReader_destroy_r) \
    X(GEOSWKBReader_read_r) \
    X(GEOSWKBWriter_create_r) \
    X(GEOSWKBWriter_destroy_r) \
    X(GEOSWKBWriter_setOutputDimension_r) \
    X(GEOSWKBWriter_write_r) \
    X(GEOS_finish_r) \
    X(GEOS_init_r) \
    X(GEOSisEmpty_r) \
    X(GEOSisValidReason_r) \
    X(GEOSisValid_r)

/* One pointer per function, of the function's own type. */
typedef struct gis_api {
#define TQOI_GIS_MEMBER(f) __typeof__(f) *f;
    TQOI_GDAL_FUNCTIONS(TQOI_GIS_MEMBER)
    TQOI_GEOS_FUNCTIONS(TQOI_GIS_MEMBER)
#undef TQOI_GIS_MEMBER
} gis_api;

/* The table, loaded once (thread-safe). Entry points check
   tqoi_gis_available first; a call through the table without the
   libraries prints why and aborts, as a missing library did at start. */
const gis_api *tqoi_gis_api(void);
/* TQO_OK when GDAL and GEOS could be loaded, else an error in diag
   (when not NULL). */
tqo_status tqoi_gis_available(tqo_diag *diag);

#ifndef TQOI_GIS_API_IMPL
#define GDALAllRegister (tqoi_gis_api()->GDALAllRegister)
#define GDALClose (tqoi_gis_api()->GDALClose)
#define GDALCreate (tqoi_gis_api()->GDALCreate)
#define GDALDatasetCommitTransaction (tqoi_gis_api()->GDALDatasetCommitTransaction)
#define GDALDatasetCreateLayer (tqoi_gis_api()->GDALDatasetCreateLayer)
#define GDALDatasetGetLayer (tqoi_gis_api()->GDALDatasetGetLayer)
#define GDALDatasetGetLayerByName (tqoi_gis_api()->GDALDatasetGetLayerByName)
#define GDALDatasetStartTransaction (tqoi_gis_api()->GDALDatasetStartTransaction)
#define GDALGetDriverByName (tqoi_gis_api()->GDALGetDriverByName)
#define GDALOpenEx (tqoi_gis_api()->GDALOpenEx)
#define OCTDestroyCoordinateTransformation (tqoi_gis_api()->OCTDestroyCoordinateTransformation)
#define OCTNewCoordinateTransformation (tqoi_gis_api()->OCTNewCoordinateTransformation)
#define OGRGeometryTypeToName (tqoi_gis_api()->OGRGeometryTypeToName)
#define OGR_FD_GetFieldCount (tqoi_gis_api()->OGR_FD_GetFieldCount)
#define OGR_FD_GetFieldDefn (tqoi_gis_api()->OGR_FD_GetFieldDefn)
#define OGR_FD_GetFieldIndex (tqoi_gis_api()->OGR_FD_GetFieldIndex)
#define OGR_F_Create (tqoi_gis_api()->OGR_F_Create)
#define OGR_F_Destroy (tqoi_gis_api()->OGR_F_Destroy)
#define OGR_F_GetFieldAsString (tqoi_gis_api()->OGR_F_GetFieldAsString)
#define OGR_F_GetGeometryRef (tqoi_gis_api()->OGR_F_GetGeometryRef)
#define OGR_F_IsFieldSetAndNotNull (tqoi_gis_api()->OGR_F_IsFieldSetAndNotNull)
#define OGR_F_SetFieldDouble (tqoi_gis_api()->OGR_F_SetFieldDouble)
#define OGR_F_SetFieldString (tqoi_gis_api()->OGR_F_SetFieldString)
#define OGR_F_SetGeometryDirectly (tqoi_gis_api()->OGR_F_SetGeometryDirectly)
#define OGR_Fld_Create (tqoi_gis_api()->OGR_Fld_Create)
#define OGR_Fld_Destroy (tqoi_gis_api()->OGR_Fld_Destroy)
#define OGR_Fld_GetNameRef (tqoi_gis_api()->OGR_Fld_GetNameRef)
#define OGR_Fld_GetType (tqoi_gis_api()->OGR_Fld_GetType)
#define OGR_GT_Flatten (tqoi_gis_api()->OGR_GT_Flatten)
#define OGR_G_Clone (tqoi_gis_api()->OGR_G_Clone)
#define OGR_G_CreateFromWkb (tqoi_gis_api()->OGR_G_CreateFromWkb)
#define OGR_G_DestroyGeometry (tqoi_gis_api()->OGR_G_DestroyGeometry)
#define OGR_G_ExportToWkb (tqoi_gis_api()->OGR_G_ExportToWkb)
#define OGR_G_FlattenTo2D (tqoi_gis_api()->OGR_G_FlattenTo2D)
#define OGR_G_ForceToMultiPolygon (tqoi_gis_api()->OGR_G_ForceToMultiPolygon)
#define OGR_G_GetGeometryType (tqoi_gis_api()->OGR_G_GetGeometryType)
#define OGR_G_IsEmpty (tqoi_gis_api()->OGR_G_IsEmpty)
#define OGR_G_Transform (tqoi_gis_api()->OGR_G_Transform)
#define OGR_G_WkbSize (tqoi_gis_api()->OGR_G_WkbSize)
#define OGR_L_CreateFeature (tqoi_gis_api()->OGR_L_CreateFeature)
#define OGR_L_CreateField (tqoi_gis_api()->OGR_L_CreateField)
#define OGR_L_GetLayerDefn (tqoi_gis_api()->OGR_L_GetLayerDefn)
#define OGR_L_GetNextFeature (tqoi_gis_api()->OGR_L_GetNextFeature)
#define OGR_L_GetSpatialRef (tqoi_gis_api()->OGR_L_GetSpatialRef)
#define OGR_L_ResetReading (tqoi_gis_api()->OGR_L_ResetReading)
#define OSRClone (tqoi_gis_api()->OSRClone)
#define OSRDestroySpatialReference (tqoi_gis_api()->OSRDestroySpatialReference)
#define OSRImportFromEPSG (tqoi_gis_api()->OSRImportFromEPSG)
#define OSRIsSame (tqoi_gis_api()->OSRIsSame)
#define OSRNewSpatialReference (tqoi_gis_api()->OSRNewSpatialReference)
#define OSRSetAxisMappingStrategy (tqoi_gis_api()->OSRSetAxisMappingStrategy)
#define OSRSetFromUserInput (tqoi_gis_api()->OSRSetFromUserInput)
#define GEOSArea_r (tqoi_gis_api()->GEOSArea_r)
#define GEOSBuffer_r (tqoi_gis_api()->GEOSBuffer_r)
#define GEOSContext_setErrorMessageHandler_r (tqoi_gis_api()->GEOSContext_setErrorMessageHandler_r)
#define GEOSContext_setNoticeMessageHandler_r (tqoi_gis_api()->GEOSContext_setNoticeMessageHandler_r)
#define GEOSConvexHull_r (tqoi_gis_api()->GEOSConvexHull_r)
#define GEOSCoordSeq_getSize_r (tqoi_gis_api()->GEOSCoordSeq_getSize_r)
#define GEOSCoordSeq_getXY_r (tqoi_gis_api()->GEOSCoordSeq_getXY_r)
#define GEOSCoordSeq_setXY_r (tqoi_gis_api()->GEOSCoordSeq_setXY_r)
#define GEOSCoverageUnion_r (tqoi_gis_api()->GEOSCoverageUnion_r)
#define GEOSDistance_r (tqoi_gis_api()->GEOSDistance_r)
#define GEOSFree_r (tqoi_gis_api()->GEOSFree_r)
#define GEOSGeoJSONWriter_create_r (tqoi_gis_api()->GEOSGeoJSONWriter_create_r)
#define GEOSGeoJSONWriter_destroy_r (tqoi_gis_api()->GEOSGeoJSONWriter_destroy_r)
#define GEOSGeoJSONWriter_writeGeometry_r (tqoi_gis_api()->GEOSGeoJSONWriter_writeGeometry_r)
#define GEOSGeomGetX_r (tqoi_gis_api()->GEOSGeomGetX_r)
#define GEOSGeomGetY_r (tqoi_gis_api()->GEOSGeomGetY_r)
#define GEOSGeomTypeId_r (tqoi_gis_api()->GEOSGeomTypeId_r)
#define GEOSGeom_clone_r (tqoi_gis_api()->GEOSGeom_clone_r)
#define GEOSGeom_createCollection_r (tqoi_gis_api()->GEOSGeom_createCollection_r)
#define GEOSGeom_createPointFromXY_r (tqoi_gis_api()->GEOSGeom_createPointFromXY_r)
#define GEOSGeom_createRectangle_r (tqoi_gis_api()->GEOSGeom_createRectangle_r)
#define GEOSGeom_destroy_r (tqoi_gis_api()->GEOSGeom_destroy_r)
#define GEOSGeom_getCoordSeq_r (tqoi_gis_api()->GEOSGeom_getCoordSeq_r)
#define GEOSGeom_getXMax_r (tqoi_gis_api()->GEOSGeom_getXMax_r)
#define GEOSGeom_getXMin_r (tqoi_gis_api()->GEOSGeom_getXMin_r)
#define GEOSGeom_getYMax_r (tqoi_gis_api()->GEOSGeom_getYMax_r)
#define GEOSGeom_getYMin_r (tqoi_gis_api()->GEOSGeom_getYMin_r)
#define GEOSGetExteriorRing_r (tqoi_gis_api()->GEOSGetExteriorRing_r)
#define GEOSGetGeometryN_r (tqoi_gis_api()->GEOSGetGeometryN_r)
#define GEOSGetInteriorRingN_r (tqoi_gis_api()->GEOSGetInteriorRingN_r)
#define GEOSGetNumGeometries_r (tqoi_gis_api()->GEOSGetNumGeometries_r)
#define GEOSGetNumInteriorRings_r (tqoi_gis_api()->GEOSGetNumInteriorRings_r)
#define GEOSIntersection_r (tqoi_gis_api()->GEOSIntersection_r)
#define GEOSIntersects_r (tqoi_gis_api()->GEOSIntersects_r)
#define GEOSMakeValid_r (tqoi_gis_api()->GEOSMakeValid_r)
#define GEOSPointOnSurface_r (tqoi_gis_api()->GEOSPointOnSurface_r)
#define GEOSRelate_r (tqoi_gis_api()->GEOSRelate_r)
#define GEOSSTRtree_create_r (tqoi_gis_api()->GEOSSTRtree_create_r)
#define GEOSSTRtree_destroy_r (tqoi_gis_api()->GEOSSTRtree_destroy_r)
#define GEOSSTRtree_insert_r (tqoi_gis_api()->GEOSSTRtree_insert_r)
#define GEOSSTRtree_query_r (tqoi_gis_api()->GEOSSTRtree_query_r)
#define GEOSSnap_r (tqoi_gis_api()->GEOSSnap_r)
#define GEOSUnaryUnion_r (tqoi_gis_api()->GEOSUnaryUnion_r)
#define GEOSVoronoiDiagram_r (tqoi_gis_api()->GEOSVoronoiDiagram_r)
#define GEOSWKBReader_create_r (tqoi_gis_api()->GEOSWKBReader_create_r)
#define GEOSWKBReader_destroy_r (tqoi_gis_api()->GEOSWKBReader_destroy_r)
#define GEOSWKBReader_read_r (tqoi_gis_api()->GEOSWKBReader_read_r)
#define GEOSWKBWriter_create_r (tqoi_gis_api()->GEOSWKBWriter_create_r)
#define GEOSWKBWriter_destroy_r (tqoi_gis_api()->GEOSWKBWriter_destroy_r)
#define GEOSWKBWriter_setOutputDimension_r (tqoi_gis_api()->GEOSWKBWriter_setOutputDimension_r)
#define GEOSWKBWriter_write_r (tqoi_gis_api()->GEOSWKBWriter_write_r)
#define GEOS_finish_r (tqoi_gis_api()->GEOS_finish_r)
#define GEOS_init_r (tqoi_gis_api()->GEOS_init_r)
#define GEOSisEmpty_r (tqoi_gis_api()->GEOSisEmpty_r)
#define GEOSisValidReason_r (tqoi_gis_api()->GEOSisValidReason_r)
#define GEOSisValid_r (tqoi_gis_api()->GEOSisValid_r)
#endif

#endif
