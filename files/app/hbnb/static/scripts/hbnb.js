/*
 * Behaviour of the HBnB page (templates/hbnb.html); jQuery is loaded before this file.
 *
 * - #api_status gets the class "available" when GET /api/v1/status answers {"status": "OK"}.
 * - Ticking a state, city or amenity only updates the h4 of its filter with the ticked names;
 *   as in the original, nothing is searched until the Search button (#search) is clicked.
 * - #search POSTs the ticked ids {states, cities, amenities} to /api/v1/places_search and
 *   redraws the places as articles; on load the page runs one search with nothing ticked,
 *   which lists every place.
 *
 * Every URL is relative to the site root (same origin), so the page works behind any proxy.
 * Place fields are inserted with .text(), never as HTML: they are user input.
 */
$(function () {
  'use strict';

  // Ticked boxes per filter, as {id: name}, in the order they were ticked.
  const ticked = { states: {}, cities: {}, amenities: {} };
  // Only the answer to the latest search is drawn, whatever order the answers arrive in.
  let latestSearch = 0;

  function showTicked ($filter, names) {
    // A non-breaking space keeps the h4 one line high when nothing is ticked.
    $filter.find('h4').text(names.length ? names.join(', ') : '\u00a0');
  }

  $('.filters input[type="checkbox"]').on('change', function () {
    const $box = $(this);
    const selection = ticked[$box.attr('data-filter')];
    if ($box.is(':checked')) {
      selection[$box.attr('data-id')] = $box.attr('data-name');
    } else {
      delete selection[$box.attr('data-id')];
    }
    // States and cities share the locations filter and its h4.
    if ($box.attr('data-filter') === 'amenities') {
      showTicked($('.filters .amenities'), Object.values(ticked.amenities));
    } else {
      showTicked($('.filters .locations'),
        Object.values(ticked.states).concat(Object.values(ticked.cities)));
    }
  });

  function plural (count, word) {
    return count + ' ' + word + (count === 1 ? '' : 's');
  }

  function placeArticle (place) {
    const $title = $('<div class="title_box">').append(
      $('<h2>').text(place.name),
      $('<div class="price_by_night">').text('$' + place.price_by_night)
    );
    const $information = $('<div class="information">').append(
      $('<div class="max_guest">').text(plural(place.max_guest, 'Guest')),
      $('<div class="number_rooms">').text(plural(place.number_rooms, 'Bedroom')),
      $('<div class="number_bathrooms">').text(plural(place.number_bathrooms, 'Bathroom'))
    );
    const $description = $('<div class="description">').text(place.description || '');
    return $('<article>').attr('data-id', place.id).append($title, $information, $description);
  }

  function showPlaces (places) {
    $('#places_list').empty().append(places.map(placeArticle));
    $('#places_message').text(places.length ? '' : 'No place matches these filters.');
  }

  function search () {
    const searchNumber = ++latestSearch;
    $('#places_message').text('Loading places\u2026');
    $.ajax({
      url: '/api/v1/places_search',
      type: 'POST',
      contentType: 'application/json',
      dataType: 'json',
      data: JSON.stringify({
        states: Object.keys(ticked.states),
        cities: Object.keys(ticked.cities),
        amenities: Object.keys(ticked.amenities)
      })
    }).done(function (places) {
      if (searchNumber === latestSearch) {
        showPlaces(places);
      }
    }).fail(function () {
      if (searchNumber === latestSearch) {
        $('#places_list').empty();
        $('#places_message').text('The places could not be loaded; try again later.');
      }
    });
  }

  $('#search').on('click', search);

  $.getJSON('/api/v1/status').done(function (data) {
    $('#api_status').toggleClass('available', data.status === 'OK');
  }).fail(function () {
    $('#api_status').removeClass('available');
  });

  search();
});
